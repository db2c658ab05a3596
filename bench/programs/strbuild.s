# strjoin(strjoin(execname, ":"), substr(probefunc, 0, 3))
.difo strbuild
.return string 256
	flushts
	ldgs probefunc, %r1
	pushtr string, %r0, %r1
	pushtv ctf, %r0
	setx 3, %r2
	pushtv ctf, %r2
	call substr, %r3
	flushts
	ldgs execname, %r1
	pushtr string, %r0, %r1
	sets ":", %r2
	pushtr string, %r0, %r2
	call strjoin, %r4
	flushts
	pushtr string, %r0, %r4
	pushtr string, %r0, %r3
	call strjoin, %r4
	ret  %r4
