"""March (1991)'s published figures, the targets the reproduction is checked against."""

# Fig. 1: equilibrium code knowledge by socialisation rate p1 (rows) for code-learning
# rates p2 = 0.1, 0.5, 0.9 (columns); n = 50 individuals, m = 30 dimensions, 80 runs a
# point. Read off the published figure, to about +-0.003 (research-notes.md section 3).
FIG1_N, FIG1_M = 50, 30
FIG1_P2 = (0.1, 0.5, 0.9)
FIG1_READING_ERROR = 0.003
FIG1_CODE_KNOWLEDGE = {
    0.1: (0.857, 0.954, 0.978),
    0.2: (0.815, 0.922, 0.952),
    0.3: (0.804, 0.875, 0.913),
    0.4: (0.788, 0.837, 0.890),
    0.5: (0.800, 0.797, 0.855),
    0.6: (0.816, 0.779, 0.805),
    0.7: (0.805, 0.781, 0.770),
    0.8: (0.803, 0.753, 0.744),
    0.9: (0.794, 0.746, 0.750),
}
