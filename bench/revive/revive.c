/*
 * revive is the recovery script (heatd) and start program (monit) of
 * heatbench's recovery measurement. Its first act is to read
 * CLOCK_MONOTONIC, the moment the supervisor's recovery began to run; it
 * then hands that to heatbench on revive.sock beside its own binary and
 * waits until heatbench has started the service again and written its
 * pidfile, so that the supervisor's next look finds it running. heatbench
 * starts the service itself, as its own child, so that a killed service is
 * reaped at once: an orphan would be a zombie under an init that never
 * reaps, which kill(pid, 0) calls alive.
 *
 * It takes no arguments (heatd runs a recovery script with none), so the
 * socket is found from /proc/self/exe. Exit 0 once heatbench answers "ok".
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(void) {
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);

	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n < 0) {
		perror("revive: /proc/self/exe");
		return 2;
	}
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	if (slash == NULL)
		return 2;
	*slash = 0;

	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if ((size_t)snprintf(sa.sun_path, sizeof sa.sun_path, "%s/revive.sock", exe) >= sizeof sa.sun_path) {
		fprintf(stderr, "revive: %s/revive.sock: path too long\n", exe);
		return 2;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		perror("revive: connecting to heatbench");
		return 2;
	}
	char msg[64];
	int len = snprintf(msg, sizeof msg, "%lld\n", (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
	if (write(fd, msg, len) != len) {
		perror("revive: writing to heatbench");
		return 2;
	}
	char reply[16] = {0};
	if (read(fd, reply, sizeof reply - 1) < 2 || strncmp(reply, "ok", 2) != 0) {
		fprintf(stderr, "revive: heatbench did not start the service: %s\n", reply);
		return 1;
	}
	return 0;
}
