# Latency against working set (log x), one line per series, with cache and TLB-reach sizes
# marked. Set by the generated script: datafile (one block per series, separated by two blank
# lines: bytes, median, min, max), nseries, names (array), marks (a script of arrows and
# labels), what, xlabel, ylabel, machine.
reset
load hb_tmpl.'/common.gp'
set title what."\n".machine font 'Sans,11'
set logscale x 2
set xlabel xlabel
set ylabel ylabel
set yrange [0:*]
# Room above the data for the key and the vertical mark labels.
set offsets 0, 0, graph 0.4, 0
set key top left
load marks
plot for [i=1:nseries] datafile index (i-1) using 1:2:3:4 with yerrorlines ls i \
	title names[i]
