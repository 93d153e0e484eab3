// bigprofile: a real, long-running Go workload whose CPU profile is large,
// for tests/bench/pprof_bench.sh (made by tests/bench/make-big-profile.sh,
// never committed).
//
// It parses and type-checks the standard library from source (go/parser,
// go/types with the source importer) round after round, each package under
// pprof labels naming the round and the package, while the CPU profiler
// samples at -hz. Deep, varied type-checker stacks and one label set per
// (round, package) give many distinct samples, as a busy multi-tenant
// service's profile has. It stops once -cpu seconds of CPU time have been
// sampled (or after -max wall time) and writes the profile to -o.
package main

import (
	"context"
	"flag"
	"fmt"
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// stdPackages lists the import paths of GOROOT/src (no cmd, vendor,
// internal or testdata), sorted.
func stdPackages() []string {
	root := filepath.Join(runtime.GOROOT(), "src")
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real // Debian's GOROOT/src is a symlink
	}
	var pkgs []string
	filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || !info.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		if rel == "." {
			return nil
		}
		base := filepath.Base(path)
		if rel == "cmd" || base == "testdata" || base == "vendor" || base == "internal" {
			return filepath.SkipDir
		}
		pkgs = append(pkgs, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(pkgs)
	return pkgs
}

func check(path string) {
	bp, err := build.Import(path, "", 0)
	if err != nil {
		return
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range bp.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(bp.Dir, name), nil, parser.ParseComments)
		if err != nil {
			return
		}
		files = append(files, f)
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil), Error: func(error) {}}
	conf.Check(path, fset, files, nil)
}

func main() {
	out := flag.String("o", "big.cpu.pb.gz", "output CPU profile")
	allocs := flag.String("allocs", "", "also write the allocation profile (every allocation sampled) here")
	hz := flag.Int("hz", 1000, "CPU profile sampling rate")
	cpu := flag.Float64("cpu", 60, "stop after this many seconds of CPU time")
	max := flag.Duration("max", 30*time.Minute, "stop after this wall time at the latest")
	flag.Parse()

	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// A rate set first is kept: StartCPUProfile's own 100 Hz is refused
	// (with a warning on stderr) while a rate is set.
	if *allocs != "" {
		runtime.MemProfileRate = 1
	}
	runtime.SetCPUProfileRate(*hz)
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pkgs := stdPackages()
	if len(pkgs) == 0 {
		fmt.Fprintln(os.Stderr, "bigprofile: no standard library sources under", runtime.GOROOT())
		os.Exit(1)
	}
	start, cpu0 := time.Now(), cpuSeconds()
	done := func() bool { return cpuSeconds()-cpu0 >= *cpu || time.Since(start) >= *max }
	for round := 1; !done(); round++ {
		for _, p := range pkgs {
			if done() {
				break
			}
			labels := pprof.Labels("round", strconv.Itoa(round), "pkg", p,
				"area", strings.SplitN(p, "/", 2)[0])
			pprof.Do(context.Background(), labels, func(context.Context) { check(p) })
		}
	}
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if *allocs != "" {
		a, err := os.Create(*allocs)
		if err == nil {
			err = pprof.Lookup("allocs").WriteTo(a, 0)
			if cerr := a.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
