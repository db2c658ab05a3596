
DIFO 0x1234 returns D type (integer) (size 8)
OFF OPCODE      INSTRUCTION
00: 07010203    add  %r1, %r2, %r4
