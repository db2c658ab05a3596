
DIFO 0x1234 returns D type (integer) (size 8)
OFF OPCODE      INSTRUCTION
00: 26000101    sets DT_STRING[1], %r1		! "hello"
01: 26000302    sets DT_STRING[3], %r2		! "lp"
