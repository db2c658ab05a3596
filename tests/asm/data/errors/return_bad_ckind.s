.difo a
.return ctf widget 8
