/*
 * statsize: one DIF program, linked at start-up against the types of the
 * machine it runs on, then run on real memory.
 *
 * The program (examples/statsize.s) reads st_size, st_mode and st_nlink
 * of a `struct stat` through relocations: it knows the member names, not
 * their offsets or widths. At start-up the example loads a type file
 * (CTF or BTF, built with `gcc -gctf -c` / `gcc -gbtf -c` from a C file
 * that includes <sys/stat.h>), links the program against it with
 * dif_relocate(), checks the result with dif_reloc_verify(), and then,
 * for each path on the command line, calls stat(2) and lets the program
 * read the real struct stat in this process's memory.
 *
 *   statsize (--ctf FILE | --btf FILE) PROGRAM.s PATH...
 *
 * Prints "PATH size N mode 0OOO links N" per path, each number read by
 * DIF, and checks it against what C reads (exit status 1 if they differ).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <difvm/difvm.h>
#include <difvm/reloc.h>

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0, r;
	char *b = malloc(cap + 1);
	while (b && (r = fread(b + n, 1, cap - n, f)) > 0)
		if ((n += r) == cap) {
			char *nb = realloc(b, (cap *= 2) + 1);
			if (!nb)
				free(b);
			b = nb;
		}
	fclose(f);
	if (b)
		b[n] = '\0';
	*len = n;
	return b;
}

static void print_errors(const char *what, const struct dif_errors *e)
{
	for (uint32_t i = 0; i < e->count; i++)
		fprintf(stderr, "statsize: %s: %s\n", what, e->list[i].msg);
}

/* Runs DIFO `name` with arg0 = &st; the struct is the only readable
 * kernel memory. */
static int run(const struct dif_module *m, const char *name,
               const struct stat *st, uint64_t *out)
{
	struct dif_region r = { (uint64_t)(uintptr_t)st, sizeof(*st), st,
	                        DIF_AS_KERNEL, 0 };
	DIF_OPTS(dif_vm_opts, vo, .regions = &r, .nregions = 1);
	struct dif_vm *vm = NULL;
	struct dif_prog *p = NULL;
	struct dif_ctx *ctx = NULL;
	struct dif_errors e;
	dif_errors_clear(&e);
	int rc = dif_vm_create(&vo, &vm, &e);
	if (!rc)
		rc = dif_prog_load(vm, dif_module_find(m, name), &p, &e);
	if (!rc)
		rc = dif_ctx_create(vm, &ctx);
	if (!rc) {
		dif_ctx_set_arg(ctx, 0, (uint64_t)(uintptr_t)st);
		rc = dif_exec(p, ctx, out);
		if (rc) {
			const struct dif_fault *f = dif_ctx_fault(ctx);
			fprintf(stderr, "statsize: %s: fault %s at pc %u%s%s\n", name,
			        dif_fault_name(f->code), f->pc, f->reason ? ": " : "",
			        f->reason ? f->reason : "");
		}
	} else {
		print_errors(name, &e);
	}
	dif_ctx_free(ctx);
	dif_prog_free(p);
	dif_vm_free(vm);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 5 || (strcmp(argv[1], "--ctf") && strcmp(argv[1], "--btf"))) {
		fprintf(stderr, "usage: statsize (--ctf FILE | --btf FILE) "
		                "PROGRAM.s PATH...\n");
		return 2;
	}
	struct dif_errors e;
	dif_errors_clear(&e);
	struct dif_types *types = dif_types_new();
	if (!types || dif_types_load(types, strcmp(argv[1], "--ctf") == 0
	                                        ? DIF_TYPES_CTF : DIF_TYPES_BTF,
	                             argv[2], &e)) {
		print_errors(argv[2], &e);
		return 1;
	}
	size_t len;
	char *src = slurp(argv[3], &len);
	struct dif_module *base = NULL, *linked = NULL;
	DIF_OPTS(dif_asm_opts, ao, .filename = argv[3]);
	if (!src || dif_asm(src, len, &ao, &base, &e)) {
		print_errors(argv[3], &e);
		return 1;
	}
	free(src);
	/* link for this machine, then prove only relocations changed */
	DIF_OPTS(dif_reloc_opts, ro, .object = argv[3]);
	if (dif_relocate(base, types, &ro, &linked, &e) ||
	    dif_reloc_verify(base, linked, &ro, &e)) {
		print_errors("link", &e);
		return 1;
	}
	int status = 0;
	for (int i = 4; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			status = 1;
			continue;
		}
		uint64_t size, mode, links;
		if (run(linked, "size", &st, &size) || run(linked, "mode", &st, &mode) ||
		    run(linked, "links", &st, &links)) {
			status = 1;
			continue;
		}
		printf("%s size %llu mode 0%llo links %llu\n", argv[i],
		       (unsigned long long)size, (unsigned long long)mode,
		       (unsigned long long)links);
		if (size != (uint64_t)st.st_size || mode != (st.st_mode & 07777) ||
		    links != (uint64_t)st.st_nlink) {
			fprintf(stderr, "statsize: %s: DIF read other values than C\n",
			        argv[i]);
			status = 1;
		}
	}
	dif_module_free(linked);
	dif_module_free(base);
	dif_types_free(types);
	return status;
}
