/* hello_mhd.c — bare libmicrohttpd hello-world, the reference probe ./civitas bench compares the
 * daemons to. Same threading model as they have (internal epoll + thread pool), nothing else. */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char BODY[] = "{\"status\":\"ok\"}";

/* One static response shared by every request: the probe measures MHD itself, not allocation. */
static struct MHD_Response *g_response;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
	/* MHD calls twice at least: the first call only announces the headers. */
	if (*req_cls == NULL) {
		*req_cls = (void *)1;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		*upload_data_size = 0; /* discard any body; a GET probe has none */
		return MHD_YES;
	}
	return MHD_queue_response(conn, MHD_HTTP_OK, g_response);
}

static unsigned int parse_uint(const char *s, const char *what)
{
	char *end = NULL;
	unsigned long v = strtoul(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || v == 0 || v > 65535) {
		fprintf(stderr, "civitas-bench-hello: bad %s '%s'\n", what, s);
		exit(2);
	}
	return (unsigned int)v;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s PORT [THREADS]\n", argv[0]);
		return 2;
	}
	unsigned int port = parse_uint(argv[1], "port");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int threads =
	    argc == 3 ? parse_uint(argv[2], "thread count") : (unsigned int)(ncpu > 0 ? ncpu : 1);

	/* Block the stop signals before MHD starts its threads so they inherit the mask and
	 * only sigwait() below sees SIGTERM/SIGINT: shutdown then runs on the main thread. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);

	g_response = MHD_create_response_from_buffer(strlen(BODY), (void *)BODY, MHD_RESPMEM_PERSISTENT);
	if (g_response == NULL || MHD_add_response_header(g_response, MHD_HTTP_HEADER_CONTENT_TYPE,
	                                                  "application/json") != MHD_YES) {
		fprintf(stderr, "civitas-bench-hello: cannot build the response\n");
		return 1;
	}

	struct MHD_Daemon *d =
	    MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t)port, NULL, NULL,
	                     &on_request, NULL, MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads,
	                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30, MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "civitas-bench-hello: cannot listen on port %u\n", port);
		MHD_destroy_response(g_response);
		return 1;
	}

	int sig = 0;
	sigwait(&stop, &sig);
	MHD_stop_daemon(d);
	MHD_destroy_response(g_response);
	return 0;
}
