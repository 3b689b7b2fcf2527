// Command receiver is the quick start's signal target: it prints every
// signal it receives, so heatd's signals can be seen arriving.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

func main() {
	pidfile := flag.String("pidfile", "", "write the pid to this `file`")
	flag.Parse()

	sigs := make(chan os.Signal, 16)
	shown := []os.Signal{syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGQUIT,
		syscall.SIGALRM, syscall.SIGWINCH, syscall.SIGCONT}
	signal.Notify(sigs, append(shown, syscall.SIGTERM, syscall.SIGINT)...)
	if *pidfile != "" {
		if err := os.WriteFile(*pidfile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			log.Fatal(err)
		}
		defer os.Remove(*pidfile)
	}
	fmt.Printf("running on %d\n", os.Getpid())
	for s := range sigs {
		sig := s.(syscall.Signal)
		if sig == syscall.SIGTERM || sig == syscall.SIGINT {
			return
		}
		fmt.Printf("Signal Received: SIG%s\n", signalName(sig))
	}
}

func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGHUP:
		return "HUP"
	case syscall.SIGUSR1:
		return "USR1"
	case syscall.SIGUSR2:
		return "USR2"
	case syscall.SIGQUIT:
		return "QUIT"
	case syscall.SIGALRM:
		return "ALRM"
	case syscall.SIGWINCH:
		return "WINCH"
	case syscall.SIGCONT:
		return "CONT"
	}
	return strconv.Itoa(int(s))
}
