.difo a
.varids octal
