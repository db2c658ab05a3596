# The programs of the example tracer (examples/tracer.c), in the assembler's
# hand-written syntax. In D they would read:
#
#   syscall::read:entry, syscall::read:return /execname != "idle"/   -> pred
#   syscall::read:entry  { self->ts = timestamp; }                    -> entry
#   syscall::read:return /self->ts/ {
#           lat[execname] += timestamp - self->ts; self->ts = 0; }   -> return
#   who:    curthread->t_proc->p_uid (read through the host's memory)
#   report: lat[execname] (read back once the stream is over)

.difo pred
.return int 4
	ldgs execname, %r1
	sets "idle", %r2
	scmp %r1, %r2
	be   Lidle
	setx 1, %r1
	ret  %r1
Lidle:
	ret  %r0

.difo entry
.return int 8
.var ts thread scalar id=0x500 type=int8
	ldgs timestamp, %r1
	stts %r1, ts
	ret  %r1

.difo return
.return int 8
.var ts thread scalar id=0x500 type=int8
.var lat global array id=0x501 type=int8
	ldts ts, %r1
	tst  %r1
	be   Lnone
	ldgs timestamp, %r2
	sub  %r2, %r1, %r3
	stts %r0, ts
	flushts
	ldgs execname, %r4
	pushtr string, %r0, %r4
	ldgaa lat, %r5
	add  %r5, %r3, %r5
	stgaa %r5, lat
	ret  %r3
Lnone:
	ret  %r0

.difo who
.return int 4
	ldgs curthread, %r1
	setx 8, %r2
	add  %r1, %r2, %r1
	ldx  [%r1], %r1
	setx 16, %r2
	add  %r1, %r2, %r1
	lduw [%r1], %r1
	ret  %r1

.difo report
.return int 8
.var lat global array id=0x501 type=int8
	flushts
	ldgs execname, %r1
	pushtr string, %r0, %r1
	ldgaa lat, %r1
	ret  %r1
