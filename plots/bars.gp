# Grouped bars with min-max error bars. Set by the generated script: datafile (tab-separated:
# group label, then median, min, max per series, with a header row naming the series),
# nseries, ngroups, what, ylabel, logy, machine.
reset
load hb_tmpl.'/common.gp'
set title what."\n".machine font 'Sans,11'
set ylabel ylabel
set style data histograms
set style histogram errorbars gap 2 lw 1.5
set style fill solid 0.85 border rgb '#333333'
set boxwidth 0.9
set xtics rotate by 15 right
set key top right
set bmargin 7
set rmargin 6
if (logy) {
	set logscale y 10
	set format y '%g'
	set yrange [ymin:*]
} else {
	set yrange [0:*]
	set format y yfmt
}
set offsets 0, 0, graph 0.12, 0
plot for [i=0:nseries-1] datafile using (column(2+3*i)):(column(3+3*i)):(column(4+3*i)):xtic(1) \
	title columnhead(2+3*i) ls i+1
