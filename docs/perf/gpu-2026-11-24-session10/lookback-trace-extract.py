# TEMPORARY: the lookback tile trace records (8 words a tile at the end of the tile state)
import sys, struct, array, glob, os
for path in glob.glob(sys.argv[1] + "*.bin"):
    a = array.array('q'); a.frombytes(open(path, 'rb').read())
    n = len(a)
    grid = int(path.split("-grid")[1].split(".")[0])
    best = None
    # records: [t0, t1, t2, t3, 0, smid, 0, 0]; the trace is the last 8 x bc words
    for bc in range(grid, n // 8 + 1):
        base = n - 8 * bc
        if base < 2: break
        ok = True
        for r in (0, 1, grid // 2, grid - 1):
            w = a[base + 8 * r: base + 8 * r + 8]
            if not (w[0] > 1e15 and w[1] >= w[0] and w[2] >= w[1] and w[3] >= w[2] and 0 <= w[5] < 1024 and w[4] == 0 and w[6] == 0):
                ok = False; break
        if ok: best = base; break
    if best is None:
        print("no trace in", path); continue
    out = path[:-4] + ".csv"
    t0min = min(a[best + 8 * r] for r in range(grid))
    with open(out, "w") as f:
        f.write("tile,start,aggregate,prefix,end,sm\n")
        for r in range(grid):
            w = a[best + 8 * r: best + 8 * r + 8]
            f.write("%d,%d,%d,%d,%d,%d\n" % (r, w[0] - t0min, w[1] - t0min, w[2] - t0min, w[3] - t0min, w[5]))
    os.remove(path)
    print(out, grid)
