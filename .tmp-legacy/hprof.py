import json,sys,glob,collections
p=json.load(open(glob.glob(sys.argv[1]+'/*.heapprofile')[0]))
agg=collections.Counter()
def walk(n,stack):
  cf=n['callFrame']; k=(cf['functionName'],cf['url'].split('/')[-1],cf['lineNumber'])
  st=n.get('selfSize',0)
  agg[k]+=st
  for c in n.get('children',[]): walk(c,stack+[k])
walk(p['head'],[])
tot=sum(agg.values())
for k,v in agg.most_common(30): print(f"{v/1e6:8.1f}MB {100*v/tot:5.1f}% {k}")
