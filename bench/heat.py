#!/usr/bin/env python3
"""HEAT's check loop in one file, for heatbench to measure.

This is the loop of HEAT's report (chapter 2, section 1, "heat.py line 139"),
kept as HEAT ran it: options read by argparse's parse_known_args, the command
joined with spaces and run by subprocess.Popen with shell=True and its stdout
and stderr on pipes, wait() then terminate(), a line printed per run, the
stderr of a failed run appended to ./heat.log, and time.sleep(interval) after
every run. Signals, fail and recovery scripts are left out: heatbench only
runs checks that succeed, and none of those paths is taken on success.

    python3 -u heat.py -i SECONDS COMMAND...

(-u: HEAT printed to a terminal, one write per line; a pipe would otherwise
hold the lines back.)
"""
import argparse
import os
import subprocess
import time


def get_args():
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("-s")
    parser.add_argument("-i", type=int)
    parser.add_argument("--pid", type=int)
    parser.add_argument("--signal")
    parser.add_argument("--fail")
    parser.add_argument("--recovery")
    parser.add_argument("--threshold", type=int)
    parser.add_argument("--recovery-timeout")
    parser.add_argument("--fault-signal")
    parser.add_argument("--success-signal")

    parsed = parser.parse_known_args()
    return vars(parsed[0]), " ".join(parsed[1])


def on_post_error(executed_time, stderr):
    with open("heat.log", "a+") as file:
        while True:
            line = stderr.readline()
            if not line:
                break
            file.write(f"{executed_time}: {line}")


def main():
    args, command = get_args()
    if args["s"]:
        if command:
            print("Error: use either script or command")
            exit(1)
        elif not os.access(args["s"], os.X_OK):
            print(f"Failed: {args['s']} not executable")
            exit(1)
    cmd = args["s"] or command
    interval = args["i"]
    fail_cnt = 0
    while True:
        res = subprocess.Popen(cmd,
                               stderr=subprocess.PIPE,
                               stdout=subprocess.PIPE,
                               shell=True,
                               universal_newlines=True)
        executed_time = int(time.time())
        res.wait()
        res.terminate()
        if res.returncode:
            print(f"{executed_time}:", f"Failed: Exit Code {res.returncode}, details in heat.log")
            on_post_error(executed_time, res.stderr)
            fail_cnt += 1
        else:
            print(f"{executed_time}: OK")
        time.sleep(interval)


if __name__ == "__main__":
    main()
