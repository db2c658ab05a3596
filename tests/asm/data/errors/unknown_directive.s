.difo a
.frobnicate 1
