/* <difvm/vm.h> compiles on its own (it pulls in difvm.h for its types). */
#include <difvm/vm.h>

#include <criterion/criterion.h>
#include <string.h>

Test(header, vm_h_alone)
{
	cr_assert_str_eq(dif_fault_name(DIF_FAULT_DIVZERO), "DIVZERO");
	struct dif_vm_opts o = { .size = sizeof(o), .profile = DIF_PROFILE_FREEBSD };
	cr_assert_eq(o.profile, DIF_PROFILE_FREEBSD);
}
