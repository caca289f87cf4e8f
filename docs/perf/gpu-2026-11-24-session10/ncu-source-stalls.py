import csv, sys
rows=[]
f=open(sys.argv[1]); lines=[l for l in f if l.startswith('"')]
r=csv.reader(lines)
hdr=None
for row in r:
    if row[0]=="Address": hdr=row; continue
    if hdr and len(row)==len(hdr): rows.append(dict(zip(hdr,row)))
def num(x):
    try: return float(x.replace(',',''))
    except: return 0.0
tot=sum(num(r["Warp Stall Sampling (All Samples)"]) for r in rows)
print("instructions",len(rows),"samples",tot)
ex=sum(num(r["L2 Theoretical Sectors Global Excessive"]) for r in rows)
print("excess sectors",ex)
for r in sorted(rows,key=lambda r:-num(r["L2 Theoretical Sectors Global Excessive"]))[:8]:
    print("EXCESS",r["Address"][-5:],r["Source"].strip()[:70],r["L2 Theoretical Sectors Global Excessive"],r["L2 Theoretical Sectors Global"],r["Instructions Executed"])
# top stalls with index
idx={r["Address"]:i for i,r in enumerate(rows)}
for r in sorted(rows,key=lambda r:-num(r["Warp Stall Sampling (All Samples)"]))[:25]:
    s=num(r["Warp Stall Sampling (All Samples)"])
    reasons=sorted([(num(r[k]),k) for k in hdr if k.startswith("stall_") and "Not Issued" not in k],reverse=True)[:2]
    print("%5d %5.1f%% %-60s %s"%(idx[r["Address"]],100*s/tot,r["Source"].strip()[:60],reasons))
