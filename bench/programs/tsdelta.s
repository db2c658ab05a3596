# Time since this thread's previous event:
#   prev = self->ts; self->ts = timestamp; return timestamp - prev
.difo tsdelta
.return int 8
.var ts thread scalar id=0x500 type=int8
	ldts ts, %r1
	ldgs timestamp, %r2
	stts %r2, ts
	sub  %r2, %r1, %r3
	ret  %r3
