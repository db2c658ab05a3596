# counts[execname]++ with the key pushed by reference, as the D compiler
# does it: push the key for the load, push it again for the store.
.difo assoc
.return int 8
.var counts global array id=0x500 type=int8
	flushts
	ldgs execname, %r1
	pushtr string, %r0, %r1
	ldgaa counts, %r2
	setx 1, %r3
	add  %r2, %r3, %r2
	flushts
	pushtr string, %r0, %r1
	stgaa %r2, counts
	ret  %r2
