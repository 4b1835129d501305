/* main.c — civitas-content: starts the content service with libcommon's runtime (configuration,
 * migrations, pool, outbox, HTTP) and stops it cleanly on SIGTERM or SIGINT. */
#include "civitas/service.h"

#include "routes.h"

int main(int argc, char **argv)
{
	return lc_service_main(&content_service, argc, argv);
}
