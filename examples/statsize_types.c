/* The types statsize links against: compiled with gcc -gctf / -gbtf. */
#include <sys/stat.h>

struct stat statsize_types_anchor;
