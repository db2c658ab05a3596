.varids dec

DIFO 0x1234 returns D type (integer) (size 8)
OFF OPCODE      INSTRUCTION
00: 23000000    ret  %r0

NAME             ID   KND SCP FLAG TYPE
x                50a  scl glb r    D type (integer) (size 8)
