# Generates ../data/branches.dift from the condition-code table of
# dif-isa.md 2.2 (run it after changing the case lists).
import os
M=(1<<64)-1
def s64(x): return x-(1<<64) if x>>63 else x
def cmpcc(a,b):
    a&=M;b&=M
    return dict(N=s64((a-b)&M)<0, Z=a==b, V=False, C=a<b)
def pred(op,f):
    N,Z,V,C=f['N'],f['Z'],f['V'],f['C']
    return {'ba':True,'be':Z,'bne':not Z,'bg':not(Z or (N!=V)),'bgu':not(C or Z),
            'bge':not(N!=V),'bgeu':not C,'bl':N!=V,'blu':C,'ble':Z or (N!=V),'bleu':C or Z}[op]
ops=['ba','be','bne','bg','bgu','bge','bgeu','bl','blu','ble','bleu']
out=["# Every branch after cmp, tst, scmp and with no compare (dif-isa.md 2.2).",
     "# Expected outcomes computed from the flag table: N = sign of the wrapped",
     "# difference, Z, C = unsigned less, V never set. Returns 1 when taken.",""]
def case(name, setup, cmpline, op, taken):
    out.append(f"=== {name} {op}")
    out.append(".difo p\n.return int 8")
    out.extend("\t"+l for l in setup)
    if cmpline: out.append("\t"+cmpline)
    out.append(f"\t{op} Lt\n\tret  %r0\nLt:\n\tsetx 1, %r3\n\tret  %r3")
    out.append(f"!expect rval {1 if taken else 0}\n")
pairs=[(1,2),(2,1),(2,2),(1<<63,1),((1<<63)-1,M),(M,1),(0,M),(0,0)]
for a,b in pairs:
    f=cmpcc(a,b)
    for op in ops:
        case(f"cmp {a:#x} {b:#x}",[f"setx {a:#x}, %r1",f"setx {b:#x}, %r2"],"cmp  %r1, %r2",op,pred(op,f))
for a in [0,1,M,1<<63]:
    f=dict(N=False,Z=a==0,V=False,C=False)
    for op in ops:
        case(f"tst {a:#x}",[f"setx {a:#x}, %r1"],"tst  %r1",op,pred(op,f))
def scmp(x,y):
    bx=(x or "").encode()+b"\0"; by=(y or "").encode()+b"\0"
    for i in range(max(len(bx),len(by))):
        c1=bx[i] if i<len(bx) else 0; c2=by[i] if i<len(by) else 0
        if c1!=c2: return c1-c2
        if c1==0: return 0
    return 0
strs=[("a","b"),("b","a"),("abc","abc"),("abc","ab"),("ab","abc"),(None,""),(None,"a"),("a",None),(None,None),("","")]
for x,y in strs:
    r=scmp(x,y)
    f=dict(N=r<0,Z=r==0,V=False,C=False)
    setup=[]
    setup.append(f'sets "{x}", %r1' if x is not None else "mov  %r0, %r1")
    setup.append(f'sets "{y}", %r2' if y is not None else "mov  %r0, %r2")
    for op in ops:
        case(f"scmp {x!r} {y!r}",setup,"scmp %r1, %r2",op,pred(op,f))
f=dict(N=False,Z=False,V=False,C=False)
for op in ops:
    case("no compare",["setx 7, %r1"],None,op,pred(op,f))
# flags persist across other instructions
f=cmpcc(1,2)
for op in ops:
    case("flags survive alu",["setx 1, %r1","setx 2, %r2","cmp  %r1, %r2","add  %r1, %r2, %r4","setx 0, %r5","sub  %r2, %r2, %r6"],None,op,pred(op,f))
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "branches.dift"), "w").write("\n".join(out))
