
DIFO 0x1234 returns D type (integer) (size eight)
