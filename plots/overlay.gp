# Overlaid time series, one line per cell. Set by the generated script: nlines, line_data
# (array: per line a data file of time since the first sample, then the value), line_title,
# what, xlabel, ylabel, logy, machine.
reset
load hb_tmpl.'/common.gp'
set title what."\n".machine font 'Sans,11'
set xlabel xlabel
set ylabel ylabel
if (logy) {
	set logscale y 10
} else {
	set yrange [0:*]
}
set offsets 0, 0, graph 0.1, 0
# Labels name whole parameter sets: below the chart, so long ones do not squeeze the plot.
set key below left Left reverse font 'Sans,8'
plot for [i=1:nlines] line_data[i] using 1:2 with linespoints ls ((i - 1) % 8 + 1) \
	title line_title[i]
