# counts[execname]++ (docs/assembly.md)
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
	tst  %r2
	be   done
	ret  %r2
done:
	ret  %r0
