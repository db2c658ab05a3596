/*
 * `difrun --conformance`: serve the runtime protocol
 * (docs/runtime-protocol.md) on standard input and output with difvm as
 * the runtime, so that difgen (or any other driver) can replay a corpus
 * against this build through a pipe.
 */
#ifndef DIFVM_TOOLS_CONFORMANCE_H
#define DIFVM_TOOLS_CONFORMANCE_H

/* argv[0] is the program name; options after --conformance may follow.
 * Returns the process exit status. */
int difrun_conformance(int argc, char **argv);

#endif
