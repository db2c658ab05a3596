; Statements before any .difo start a program of their own (difo0).
	setx 0x10, %r1
	ret  %r1

.difo loop
.return ctf pointer 8
start:	ldgs arg0, %r1		# labels may share a line with a statement
	tst  %r1
	be   out
	sub  %r1, %r1, %r1
	ba   start			# backward branches assemble (the validator rejects them)
out:	ret  %r1

.difo strs
.return string 64
	sets "a\x41\101", %r1	; "aAA"
	sets "aAA", %r2		; the same string, one entry
	sets "\\", %r3
	ret  %r1

.difo typed
.return D type (struct) by user ref (size 12)
.var obj global scalar type=ctf:struct:12:byuref flags=none
	ldgs obj, %r1
	ret  %r1

# A listing may follow a .difo line: it belongs to that program.
.difo listed
.varids hex

DIFO 0x1000 returns D type (integer) (size 8)
OFF OPCODE      INSTRUCTION
00: 29050001    ldgs DT_VAR(1280), %r1		! DT_VAR(1280) = "x"
01: 23000001    ret  %r1

NAME             ID   KND SCP FLAG TYPE
x                500  scl glb r    D type (integer) (size 8)
