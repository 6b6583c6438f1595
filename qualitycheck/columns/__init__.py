"""Columns (栏目): what type a column is, what counts as a placeholder, service-guide fields.

- ``types``: column-type classification (动态要闻 / 通知公告·政策文件 / 人事·规划计划 / 互动 / other),
  a keyword baseline and a scikit-learn model trained by ``python -m qualitycheck.columns.train``.
- ``placeholders``: 暂无信息, 正在建设中 ... (a column showing only these is blank).
- ``guide``: the elements of a 办事指南 and which of them are blank.
"""
