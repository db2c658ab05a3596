.difo a
.word 0x100000000
