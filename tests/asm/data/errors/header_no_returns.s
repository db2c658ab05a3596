
DIFO 0x1234 gives D type (integer) (size 8)
