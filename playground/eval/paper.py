"""Reference numbers from Meta-ARVDM (arXiv 2503.10704), for the report's side-by-side
tables. Their worlds (DMLab mazes, Minecraft video) are not ours; shown for scale only."""

# Table 3 / Table 4: PSNR (dB) by 16-frame bucket over 64-frame rollouts, per network
# memory budget.
PSNR_DMLAB = {8: [10.24, 9.47, 8.83, 7.88], 16: [10.14, 8.81, 8.24, 7.39],
              32: [10.46, 8.19, 7.82, 6.83], 48: [10.52, 8.00, 7.58, 6.76]}
PSNR_MINECRAFT = {8: [15.25, 13.43, 11.39, 10.29], 16: [15.47, 12.92, 11.10, 9.98],
                  32: [15.36, 12.64, 11.01, 9.73], 48: [15.46, 12.31, 10.57, 9.47]}
# Table 1: retrieval rate in DMLab by gap bucket (0-16, 16-48, 48-112) for the prepend
# structure with joint compression (memory length 48) per budget, and uncompressed memory.
RETRIEVAL_DMLAB = {"prepend 16": [0.52, 0.03, 0.00], "prepend 48": [0.44, 0.32, 0.00],
                   "prepend 112": [0.48, 0.28, 0.23], "joint 8": [0.28, 0.22, 0.00],
                   "joint 16": [0.36, 0.25, 0.00], "joint 32": [0.44, 0.28, 0.00],
                   "joint 48": [0.40, 0.34, 0.00]}
BEST_RETRIEVAL_16_48 = 0.34   # the best compressed DMLab figure (joint, budget 48)
# Table 2: SSIM in Minecraft by gap bucket for the same settings.
SSIM_MINECRAFT = {"prepend 16": [0.75, 0.39, 0.37], "prepend 48": [0.74, 0.62, 0.35],
                  "prepend 112": [0.72, 0.60, 0.55], "joint 8": [0.63, 0.53, 0.38],
                  "joint 48": [0.72, 0.61, 0.35]}
MINECRAFT_DECAY_DB = round(PSNR_MINECRAFT[8][0] - PSNR_MINECRAFT[8][3], 2)  # ~5 dB (budget 8: 4.96)
