// Where the official URFD feature files live and the checksums of the copies this project trusts.

export interface UrfdDownload {
  file: string;
  url: string;
  sha256: string;
}

export const URFD_DOWNLOADS: readonly UrfdDownload[] = [
  {
    file: "urfall-cam0-falls.csv",
    url: "https://fenix.ur.edu.pl/~mkepski/ds/data/urfall-cam0-falls.csv",
    sha256: "4ed29af7040098ba0150d1030eeadd97bbfde5c3a4fb9b07df786d673e22a65c",
  },
  {
    file: "urfall-cam0-adls.csv",
    url: "https://fenix.ur.edu.pl/~mkepski/ds/data/urfall-cam0-adls.csv",
    sha256: "75e45e1a4f27df7d2255aba0d46045671f6dbd0ad8d27ed48a429a9c49bb904e",
  },
];
