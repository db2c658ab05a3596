# Three programs over a struct stat at arg0, written without its layout:
# the relocations are filled in at link time (docs/linking.md section 6).

# CO-RE style: explicit relocation records.
.difo size
	ldgs arg0, %r1
	setx @offsetof(struct stat, st_size), %r2
	add  %r1, %r2, %r1
	uload @(struct stat, st_size) [%r1], %r3
	ret  %r3

# HyperTrace style: the base pointer's type flows to usetx and uload.
.difo mode
	ldgs arg0, %r1
	typecast "struct stat *", %r1
	usetx "st_mode", %r2
	add  %r1, %r2, %r3
	uload [%r3], %r4
	setx 0xfff, %r5
	and  %r4, %r5, %r4
	ret  %r4

# A member that may be missing: @exists guards it (0 where it is absent).
.difo links
	ldgs arg0, %r1
	setx @exists(struct stat, st_nlink), %r2
	tst  %r2
	be   none
	typecast "struct stat *", %r1
	usetx "st_nlink", %r2
	add  %r2, %r1, %r3
	uload [%r3], %r4
	ret  %r4
none:
	ret  %r0
