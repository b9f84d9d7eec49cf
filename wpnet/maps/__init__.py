"""Maps: static figures (matplotlib) and the interactive map (self-contained HTML).

Maps draw what the measures compute; they never run graph algorithms themselves.
Each static function takes an :class:`~wpnet.ecosystem.Ecosystem` and ``ax=None`` and
returns the matplotlib ``Axes`` it drew on; with ``ax=None`` it draws on a new pyplot
figure (shown by Jupyter and ``plt.show()``, as osmnx's figures are). Colours per authority
come from :func:`wpnet.maps._style.authority_colors`, the same in every figure.
"""

__all__ = [
    "interactive_map",
    "plot_authority_flows",
    "plot_brokers",
    "plot_ecosystem",
    "plot_reach",
    "plot_trend",
]
