# Latency percentile curves: x is the percentile on a "nines" scale (p50, p90, p99, ...),
# y the latency (log). Set by the generated script: datafile (one block per curve: nines,
# value), ncurves, names, styles, dashes (arrays), what, xlabel, ylabel, machine.
reset
load hb_tmpl.'/common.gp'
set title what."\n".machine font 'Sans,11'
set logscale y 10
set format y '%g'
set xrange [0.2:5.2]
set xtics ('p50' 0.30103, 'p90' 1, 'p99' 2, 'p99.9' 3, 'p99.99' 4, 'max' 5)
set xlabel xlabel
set ylabel ylabel
set key outside right top
plot for [i=1:ncurves] datafile index (i-1) using 1:2 with linespoints ls styles[i] \
	dt dashes[i] title names[i]
