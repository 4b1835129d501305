/* clock.c — deadlines for condition variables (the pollers, pools and sweepers that wait for
 * work or for their next round). */
#include "civitas/clock.h"

struct timespec lc_realtime_after_ms(long ms)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}
