import csv, sys, statistics as st
for path in sys.argv[1:]:
    rows=[tuple(map(int,r.values())) for r in csv.DictReader(open(path))]
    S=[r[1] for r in rows]; A=[r[2] for r in rows]; P=[r[3] for r in rows]; E=[r[4] for r in rows]
    span=max(E)-min(S)
    load=[a-s for s,a in zip(S,A)]; lb=[p-a for a,p in zip(A,P)]; rs=[e-p for p,e in zip(P,E)]; life=[e-s for s,e in zip(S,E)]
    q=lambda v:"%6.2f/%6.2f/%6.2f"%(st.median(v)/1e3, sum(v)/len(v)/1e3, max(v)/1e3)
    print(path.split('/')[-1], "tiles",len(rows),"span %.1f us"%(span/1e3))
    print("  med/mean/max us: load+aggregate",q(load)," lookback",q(lb)," rescan",q(rs)," life",q(life))
    tot=sum(life); print("  share of tile time: load %.0f%% lookback %.0f%% rescan %.0f%%"%(100*sum(load)/tot,100*sum(lb)/tot,100*sum(rs)/tot))
    # time bins: tiles alive, in lookback
    nb=20; w=span/nb
    alive=[0]*nb; inlb=[0]*nb
    for s,a,p,e in zip(S,A,P,E):
        for b in range(nb):
            lo,hi=b*w,(b+1)*w
            ov=max(0,min(e,hi)-max(s,lo)); alive[b]+=ov/w
            ov=max(0,min(p,hi)-max(a,lo)); inlb[b]+=ov/w
    print("  alive per bin:", " ".join("%d"%x for x in alive))
    print("  in lookback  :", " ".join("%d"%x for x in inlb))
    # completion profile: fraction of tiles ended by time
    Es=sorted(E); print("  ends at 10/50/90/100%%: %.1f %.1f %.1f %.1f us"%tuple(Es[int(f*(len(Es)-1))]/1e3 for f in (0.1,0.5,0.9,1.0)))
    Ss=sorted(S); print("  starts at 0/10/50/90/100%%: %.1f %.1f %.1f %.1f %.1f us"%tuple(Ss[int(f*(len(Ss)-1))]/1e3 for f in (0,0.1,0.5,0.9,1.0)))
