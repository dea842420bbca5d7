# Shared look of every hugebench chart (loaded by the templates after `reset`).
# Colours: Paul Tol's "bright" scheme, readable by colour-blind readers; each series also
# has its own point type and dash, so charts survive a grey-scale print.
set style line 1 lc rgb '#4477aa' lw 2 pt 7 ps 0.8 dt 1
set style line 2 lc rgb '#ee6677' lw 2 pt 5 ps 0.8 dt 1
set style line 3 lc rgb '#228833' lw 2 pt 9 ps 0.9 dt 1
set style line 4 lc rgb '#ccbb44' lw 2 pt 11 ps 0.9 dt 1
set style line 5 lc rgb '#66ccee' lw 2 pt 13 ps 0.9 dt 1
set style line 6 lc rgb '#aa3377' lw 2 pt 4 ps 0.8 dt 1
set style line 7 lc rgb '#555555' lw 2 pt 6 ps 0.8 dt 1
set style line 8 lc rgb '#000000' lw 2 pt 8 ps 0.8 dt 1
set grid ytics lc rgb '#dddddd' lw 1 dt 1
set border 3 lc rgb '#444444'
set tics nomirror
set key top left opaque box lc rgb '#bbbbbb'
set datafile missing '?'
set datafile separator tab
