
DIFO 0x1234 returns D type (integer) (size 8)
OFF OPCODE      INSTRUCTION
00: (illegal opcode)
