//! Who runs postgate and where: the OS user and host name that audit records, plans and
//! locks carry.

/// The OS user and host name, looked up once per process (NSS lookups are not free).
pub fn machine() -> &'static (String, String) {
    static MACHINE: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    MACHINE.get_or_init(|| (os_user(), gethostname::gethostname().to_string_lossy().into_owned()))
}

/// The OS account running postgate. On Unix it comes from the uid, not `$USER`, which anyone
/// can set.
pub fn os_user() -> String {
    #[cfg(unix)]
    {
        // SAFETY: getpwuid_r writes into our buffer; we only read it when it reports success.
        unsafe {
            let uid = libc::getuid();
            let mut pwd: libc::passwd = std::mem::zeroed();
            let mut buf = vec![0 as libc::c_char; 4096];
            let mut result: *mut libc::passwd = std::ptr::null_mut();
            if libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) == 0
                && !result.is_null()
                && !pwd.pw_name.is_null()
            {
                return std::ffi::CStr::from_ptr(pwd.pw_name).to_string_lossy().into_owned();
            }
            format!("uid:{uid}")
        }
    }
    #[cfg(not(unix))]
    {
        std::env::var("USERNAME").unwrap_or_else(|_| "unknown".to_string())
    }
}
