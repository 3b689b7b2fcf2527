/*
 * floor: the least CPU that running a command N times can cost, the yardstick
 * every supervisor in heatbench is measured against.
 *
 *     floor N PATH ARGV0 [ARG...]
 *
 * runs PATH with argv ARGV0 ARG... N times, one after another, each with
 * posix_spawn and waitpid: stdin, stdout and stderr on /dev/null and a process
 * group of its own (what any supervisor must give a check so that it can
 * kill all of it), nothing else. It prints one line,
 *
 *     runs=N cpu_us=U self_us=S wall_us=W failed=F
 *
 * where U is the user and system CPU of this program and of its reaped
 * children over the N runs (getrusage RUSAGE_SELF + RUSAGE_CHILDREN), which
 * leaves out this program's own start and exit, and S is this program's
 * part of it alone (RUSAGE_SELF): what spawning and reaping cost the
 * spawner, the children's own CPU left out.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long tv_us(struct timeval tv) { return (long long)tv.tv_sec * 1000000 + tv.tv_usec; }

/* self_us is the CPU used so far by this process alone. */
static long long self_us(void)
{
	struct rusage self;
	getrusage(RUSAGE_SELF, &self);
	return tv_us(self.ru_utime) + tv_us(self.ru_stime);
}

/* cpu_us is the CPU used so far by this process and its reaped children. */
static long long cpu_us(void)
{
	struct rusage children;
	getrusage(RUSAGE_CHILDREN, &children);
	return self_us() + tv_us(children.ru_utime) + tv_us(children.ru_stime);
}

static long long wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: floor N PATH ARGV0 [ARG...]\n");
		return 2;
	}
	long n = atol(argv[1]);
	const char *path = argv[2];
	char **args = argv + 3;

	/* One /dev/null for every run, opened before the clock starts: the
	 * floor is the spawn and the wait, not the open. */
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0) {
		perror("floor: /dev/null");
		return 1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, null, 0);
	posix_spawn_file_actions_adddup2(&fa, null, 1);
	posix_spawn_file_actions_adddup2(&fa, null, 2);
	posix_spawnattr_t attr;
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);

	long failed = 0;
	long long cpu0 = cpu_us(), self0 = self_us(), wall0 = wall_us();
	for (long i = 0; i < n; i++) {
		pid_t pid;
		int status;
		if (posix_spawn(&pid, path, &fa, &attr, args, environ) != 0) {
			perror("floor: posix_spawn");
			return 1;
		}
		if (waitpid(pid, &status, 0) < 0) {
			perror("floor: waitpid");
			return 1;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	long long cpu1 = cpu_us(), self1 = self_us(), wall1 = wall_us();
	printf("runs=%ld cpu_us=%lld self_us=%lld wall_us=%lld failed=%ld\n", n, cpu1 - cpu0, self1 - self0,
	       wall1 - wall0, failed);
	return 0;
}
