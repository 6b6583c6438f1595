"""Errors a user can act on. The CLI prints them as one line and exits 2."""


class QualityCheckError(Exception):
    """Base class: a problem with the user's input or configuration, not a bug."""


class InputError(QualityCheckError):
    """A file that cannot be read or understood (missing, empty, binary, too large)."""


class ConfigError(QualityCheckError):
    """A configuration file or option that is not valid."""


class DictionaryError(QualityCheckError):
    """A dictionary file with an invalid entry."""


class ModelError(QualityCheckError):
    """A model file that is missing or cannot be read (rebuild it with the command the message gives)."""


_OS_REASONS = {
    "ENOENT": "文件或目录不存在", "EACCES": "没有权限", "EPERM": "不允许的操作", "EISDIR": "这是一个目录",
    "ENOTDIR": "路径中有一段不是目录", "ENOSPC": "磁盘空间不足", "EROFS": "只读文件系统", "EEXIST": "已经存在",
    "EMFILE": "打开的文件太多", "ENAMETOOLONG": "文件名太长", "EADDRINUSE": "端口已被占用",
    "EADDRNOTAVAIL": "地址不可用", "ECONNREFUSED": "连接被拒绝",
}


def os_reason(exc: OSError) -> str:
    """An operating-system error's reason in Chinese (the errno name kept for searching)."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    reason = _OS_REASONS.get(name)
    if reason:
        return f"{reason}，{name}"
    return exc.strerror or str(exc)
