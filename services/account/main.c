/* main.c — civitas-account: starts the account service with libcommon's runtime (configuration,
 * migrations, pool, outbox, HTTP) and stops it cleanly on SIGTERM or SIGINT. */
#include <malloc.h>

#include "civitas/service.h"

#include "routes.h"

int main(int argc, char **argv)
{
	/* Each argon2id hash takes 19 MiB. Past 4 MiB, blocks are always mapped and unmapped, so that
	 * memory goes back to the system after every login instead of staying in the heap (glibc
	 * otherwise raises its mmap threshold after the first free and keeps ~19 MiB per thread). */
	mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
	return lc_service_main(&account_service, argc, argv);
}
