
DIFO 0x1234 returns D type (integer) (size 8)
OFF OPCODE      INSTRUCTION
00: 25000001    setx DT_INTEGER[0], %r1		! 0x1
01: 25000002    setx DT_INTEGER[0], %r2		! 0x2
