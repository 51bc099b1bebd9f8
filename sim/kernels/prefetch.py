"""Low-level helpers for the numba kernels that numba does not offer itself.

Only :func:`prefetch`: a software prefetch (LLVM's ``llvm.prefetch``) of one element of a
2-d array. The kernels that follow mentor links read the rows of people anywhere in the
skill matrix; each such read waits ~100 ns for memory unless the row was asked for a few
iterations earlier. Prefetching never changes a result (it is only a hint to the cache);
``benchmarks/kernel_throughput.py`` measures what it buys.
"""

from __future__ import annotations

from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

_I8_PTR = ir.IntType(8).as_pointer()
_I32 = ir.IntType(32)


@intrinsic
def prefetch(typingctx, array, row, column):
    """Ask the cache for ``array[row, column]`` (read, keep in all cache levels).

    Args:
        typingctx: numba's typing context (given by ``@intrinsic``).
        array: A 2-d C-contiguous numba array.
        row: Row index (must be in bounds: no check, no wraparound).
        column: Column index (in bounds).

    """
    if not (isinstance(array, types.Array) and array.ndim == 2):
        return None
    signature = types.void(array, row, column)

    def codegen(context, builder, sig, args):
        array_type = sig.args[0]
        handle = context.make_array(array_type)(context, builder, args[0])
        index_row = context.cast(builder, args[1], sig.args[1], types.intp)
        index_column = context.cast(builder, args[2], sig.args[2], types.intp)
        pointer = cgutils.get_item_pointer(
            context, builder, array_type, handle, [index_row, index_column], wraparound=False
        )
        function_type = ir.FunctionType(ir.VoidType(), [_I8_PTR, _I32, _I32, _I32])
        function = cgutils.get_or_insert_function(builder.module, function_type,
                                                   "llvm.prefetch.p0i8")
        # rw = 0 (read), locality = 3 (keep in all levels), cache type = 1 (data)
        builder.call(function, [builder.bitcast(pointer, _I8_PTR), _I32(0), _I32(3), _I32(1)])
        return context.get_dummy_value()

    return signature, codegen


@njit(cache=True, inline="always")
def prefetch_row(array, row):
    """Prefetch every cache line (8 float64) of ``array[row]``."""
    for column in range(0, array.shape[1], 8):
        prefetch(array, row, column)
