import type { LocaleBundle } from '../i18n';

/** The entrant's own page: correcting one's details. */
export const selfServiceLocale: LocaleBundle = {
  vi: {
    'entries.my.entryDetails': 'Sửa bài dự thi',
    'entries.details.title': 'Thông tin của bạn',
    'entries.details.save': 'Lưu thông tin',
    'entries.details.saved': 'Đã lưu thông tin của bạn.',
    'entries.details.nationalId.keep': 'Đang lưu: {masked}. Để trống nếu không đổi.',
    'entries.details.contactHint': 'Cần ít nhất email hoặc số điện thoại. Đường dẫn riêng của bạn vẫn dùng được sau khi đổi.',
    'entries.details.mail.subject': '[{contest}] Email của bài dự thi {code} đã được thay đổi',
    'entries.details.mail.body':
      'Chào {name},\n\nEmail liên hệ của bài dự thi {code} ({contest}) vừa được đổi sang một địa chỉ khác trên trang bài dự thi của bạn.\n\nNếu không phải bạn thực hiện, vui lòng báo ngay cho Ban tổ chức.',
  },
  en: {
    'entries.my.entryDetails': 'Correct the entry',
    'entries.details.title': 'Your details',
    'entries.details.save': 'Save my details',
    'entries.details.saved': 'Your details have been saved.',
    'entries.details.nationalId.keep': 'On file: {masked}. Leave empty to keep it.',
    'entries.details.contactHint': 'An email address or a phone number is needed. Your private link keeps working after a change.',
    'entries.details.mail.subject': '[{contest}] The email of entry {code} was changed',
    'entries.details.mail.body':
      'Hello {name},\n\nThe contact email of entry {code} ({contest}) was just changed to another address on your entry page.\n\nIf this was not you, please tell the organisers at once.',
  },
};
