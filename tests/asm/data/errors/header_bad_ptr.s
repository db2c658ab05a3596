
DIFO zz returns D type (integer) (size 8)
