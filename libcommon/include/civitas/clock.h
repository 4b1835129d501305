/* clock.h — deadlines for pthread_cond_timedwait, which counts in CLOCK_REALTIME. */
#ifndef CIVITAS_CLOCK_H
#define CIVITAS_CLOCK_H

#include <time.h>

/* The CLOCK_REALTIME instant ms milliseconds from now (ms ≥ 0). */
struct timespec lc_realtime_after_ms(long ms);

#endif
