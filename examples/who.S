# curthread->t_proc->p_uid as `dtrace -S` prints it. examples/demo.sh runs it
# with difrun over a few bytes of fake kernel memory.

DIFO 0x8612060 returns D type (integer) (size 4)
OFF OPCODE      INSTRUCTION
00: 29010001    ldgs DT_VAR(256), %r1
01: 25000002    setx DT_INTEGER[0], %r2		! 0x8
02: 07010201    add  %r1, %r2, %r1
03: 22010001    ldx  [%r1], %r1
04: 25000102    setx DT_INTEGER[1], %r2		! 0x10
05: 07010201    add  %r1, %r2, %r1
06: 21010001    lduw [%r1], %r1
07: 23000001    ret  %r1
