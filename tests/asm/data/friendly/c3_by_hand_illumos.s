# Synthetic listing C.3 of the format examples, written by hand: the
# expected output is that listing, byte for byte.
.difo c3
.ptr 0x8071d10
.return int 8
.var ts thread array
.var execname global scalar
.var timestamp global scalar
	flushts
	ldgs execname, %r1
	pushtr string, %r0, %r1
	ldgs timestamp, %r2
	sttaa %r2, ts
	ret  %r2
